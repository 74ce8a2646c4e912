

with categories as (

    select * from "main"."stg_tickit__categories"

),

events as (

    select * from "main"."stg_tickit__events"

),

venues as (

    select * from "main"."stg_tickit__venues"

),

listings as (

    select * from "main"."stg_tickit__listings"

),

users as (

    select * from "main"."stg_tickit__users"

),

sellers as (

    select * from "main"."int_sellers_extracted_from_users"

),

event_details as (

    select
        e.event_id,
        e.event_name,
        e.start_time,
        c.cat_group,
        c.cat_name,
        v.venue_name,
        v.venue_city,
        v.venue_state
    from events as e
        join categories as c on c.cat_id = e.cat_id
        join venues as v on v.venue_id = e.venue_id

),

final as (

    -- Every listing is kept, including those whose seller has not sold yet, so seller
    -- details come from users and the first sale date is optional.
    select
        l.list_id,
        l.list_time,
        ed.cat_group,
        ed.cat_name,
        ed.event_name,
        ed.venue_name,
        ed.venue_city,
        ed.venue_state,
        ed.start_time,
        date(ed.start_time) - date(l.list_time) as days_listed_before_event,
        u.username as seller_username,
        cast((u.last_name||', '||u.first_name) as varchar(100)) as seller_name,
        u.state as seller_state,
        se.first_sale_date as seller_first_sale_date,
        l.num_tickets,
        l.price_per_ticket,
        case
        when l.price_per_ticket < 50 then 'budget'
        when l.price_per_ticket < 200 then 'standard'
        when l.price_per_ticket < 500 then 'premium'
        else 'luxury'
    end as price_band,
        l.total_price,
        round(l.total_price * 0.15, 2) as potential_commission,
        l.total_price - potential_commission as potential_earnings
    from
        listings as l
        join users as u on u.user_id = l.seller_id
        left join sellers as se on se.user_id = l.seller_id
        join event_details as ed on ed.event_id = l.event_id
    order by
        list_id

)

select * from final
