

with users as (

    select * from "main"."stg_tickit__users"

),

buyers as (

    select * from "main"."int_buyers_extracted_from_users"

),

final as (

    -- Users never seen as a buyer: the audience for a first-purchase campaign.
    select
        u.user_id,
        u.username,
        cast((u.last_name||', '||u.first_name) as varchar(100)) as full_name,
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
        users as u
        left join buyers as b on b.user_id = u.user_id
    where
        b.user_id is null
    order by
        user_id

)

select * from final
