

with sales as (

    select * from "main"."stg_tickit__sales"

),

users as (

    select * from "main"."stg_tickit__users"

),

first_sale as (

    select min(date(sale_time)) as first_sale_date, seller_id
    from sales
    group by seller_id

),

final as (

    select distinct
        u.user_id,
        u.username,
        cast((u.last_name||', '||u.first_name) as varchar(100)) as full_name,
        f.first_sale_date,
        u.city,
        u.state,
        u.email,
        u.phone,
        u.like_broadway,
        u.like_classical,
        u.like_concerts,
        u.like_jazz,
        u.like_musicals,
        u.like_opera,
        u.like_rock,
        u.like_sports,
        u.like_theatre,
        u.like_vegas
    from
        sales as s
        join users as u on u.user_id = s.seller_id
        join first_sale as f on f.seller_id = s.seller_id
    order by
        user_id

)

select * from final
